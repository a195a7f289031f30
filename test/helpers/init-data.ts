/** Tests sign initData with the same independent signer the demo uses (tools/webapp). */
export { signInitData } from '../../tools/webapp/init-data';
