/**
 * Stored uploads. Telegram issues a file_id per bot (not usable by other bots) and a
 * file_unique_id that is stable for the file; getFile exposes a `file_path` downloadable from
 * `/file/bot<token>/<file_path>` (https://core.telegram.org/bots/api#getfile).
 */
import type { Document, PhotoSize } from 'telegraf/types';
import { ApiError, badRequest } from './errors';
import { newFileIds } from './ids';
import { imageSize } from './image-size';

/** One stored file. */
export interface StoredFile {
  fileId: string;
  uniqueId: string;
  botId: number;
  kind: 'photo' | 'document';
  bytes: Buffer;
  /** Photos only (0 for documents). */
  width: number;
  height: number;
  filePath: string;
  /** Photos: the image format; documents: 'document'. */
  format: 'png' | 'jpeg' | 'document';
  /** Documents: the upload's file name and MIME type (from the name, as Telegram guesses it). */
  fileName?: string;
  mimeType?: string;
}

/** Telegram's photo limits: 10 MB, width+height ≤ 10000, aspect ratio ≤ 20. */
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;

/** Telegram's upload limit for bots' documents (50 MB; https://core.telegram.org/bots/api#senddocument). */
export const DOCUMENT_MAX_BYTES = 50 * 1024 * 1024;

/** MIME types Telegram reports for common extensions; anything else is application/octet-stream. */
const MIME_BY_EXT: Record<string, string> = {
  csv: 'text/csv', txt: 'text/plain', json: 'application/json', pdf: 'application/pdf', png: 'image/png',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', zip: 'application/zip',
};

/** In-memory file store shared by all bots of one simulator. */
export class FileStore {
  private readonly byId = new Map<string, StoredFile>();
  private readonly byPath = new Map<string, StoredFile>();
  private counter = 0;

  /**
   * Store photo bytes uploaded (or fetched from a URL) by a bot.
   * @throws ApiError 400 `file must be non-empty`, `file is too big`, `IMAGE_PROCESS_FAILED` (not PNG/JPEG),
   *   `PHOTO_INVALID_DIMENSIONS`.
   */
  putPhoto(botId: number, bytes: Buffer): StoredFile {
    if (bytes.length === 0) throw badRequest('file must be non-empty');
    if (bytes.length > PHOTO_MAX_BYTES) throw badRequest('file is too big');
    const info = imageSize(bytes);
    if (!info || info.width === 0 || info.height === 0) throw badRequest('IMAGE_PROCESS_FAILED');
    const ratio = Math.max(info.width, info.height) / Math.min(info.width, info.height);
    if (info.width + info.height > 10_000 || ratio > 20) throw badRequest('PHOTO_INVALID_DIMENSIONS');
    const { fileId, uniqueId } = newFileIds();
    const file: StoredFile = {
      fileId, uniqueId, botId, kind: 'photo', bytes, width: info.width, height: info.height, format: info.format,
      filePath: `photos/file_${this.counter++}.${info.format === 'png' ? 'png' : 'jpg'}`,
    };
    this.byId.set(fileId, file);
    this.byPath.set(file.filePath, file);
    return file;
  }

  /**
   * Store a document uploaded by a bot (kept whole, so tests can read it back).
   * @throws ApiError 400 `file must be non-empty`; 413 `Request Entity Too Large` above 50 MB.
   */
  putDocument(botId: number, bytes: Buffer, fileName: string): StoredFile {
    if (bytes.length === 0) throw badRequest('file must be non-empty');
    if (bytes.length > DOCUMENT_MAX_BYTES) throw new ApiError(413, 'Request Entity Too Large');
    const { fileId, uniqueId } = newFileIds();
    const name = fileName.trim() === '' ? 'document' : fileName;
    const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
    const file: StoredFile = {
      fileId, uniqueId, botId, kind: 'document', bytes, width: 0, height: 0, format: 'document',
      filePath: `documents/file_${this.counter++}${ext ? `.${ext}` : ''}`, fileName: name, mimeType: MIME_BY_EXT[ext] ?? 'application/octet-stream',
    };
    this.byId.set(fileId, file);
    this.byPath.set(file.filePath, file);
    return file;
  }

  /** The Document object of a stored document. */
  documentOf(f: StoredFile): Document {
    return { file_id: f.fileId, file_unique_id: f.uniqueId, file_name: f.fileName, mime_type: f.mimeType, file_size: f.bytes.length };
  }

  /**
   * Look up a file_id given by a bot.
   * @throws ApiError 400 `wrong file identifier/HTTP URL specified` when unknown or issued to another bot.
   */
  get(botId: number, fileId: string): StoredFile {
    const f = this.byId.get(fileId);
    if (!f || f.botId !== botId) throw badRequest('wrong file identifier/HTTP URL specified');
    return f;
  }

  /** A file by its download path (undefined when unknown). */
  byFilePath(path: string): StoredFile | undefined {
    return this.byPath.get(path);
  }

  /** Telegram returns a PhotoSize array; we keep one size (the original, no server-side thumbnails). */
  photoSizes(f: StoredFile): PhotoSize[] {
    return [{ file_id: f.fileId, file_unique_id: f.uniqueId, width: f.width, height: f.height, file_size: f.bytes.length }];
  }
}
