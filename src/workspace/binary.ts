// Telling binary files from text, one way for everyone: a known binary extension refuses a file by
// name (its contents are never read), and a NUL byte in the first 8 KB marks the rest (as git does).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** How much of a file's start is checked for a NUL byte. */
export const BINARY_SNIFF_BYTES = 8192;

const BINARY_EXTENSIONS: ReadonlySet<string> = new Set(
  (
    'png jpg jpeg gif bmp ico icns webp tif tiff psd ai heic avif svgz ' +
    'pdf doc docx xls xlsx ppt pptx odt ods odp epub ' +
    'zip gz tgz bz2 xz zst 7z rar tar jar war ear apk ipa deb rpm dmg iso whl egg ' +
    'exe dll so dylib o a lib obj pdb class pyc pyo pyd node wasm bin dat img ' +
    'woff woff2 ttf otf eot ' +
    'mp3 mp4 m4a wav ogg oga flac aac avi mov mkv webm wmv flv ' +
    'sqlite sqlite3 db mdb parquet arrow feather npy npz pkl pickle pt pth onnx safetensors h5 tflite'
  )
    .split(/\s+/)
    .map((e) => `.${e}`),
);

export function hasBinaryExtension(rel: string): boolean {
  return BINARY_EXTENSIONS.has(path.extname(rel).toLowerCase());
}

export function looksBinary(head: Uint8Array): boolean {
  return head.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** The first BINARY_SNIFF_BYTES of a file, without loading a large file whole; undefined if unreadable. */
export function readHead(abs: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(abs, 'r');
    const head = Buffer.alloc(BINARY_SNIFF_BYTES);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Whether a file's content is binary, by its first bytes only. The file tools ask this of a file named
 * explicitly: what is in it decides, so a text file with a misleading extension can still be read.
 */
export function fileLooksBinary(abs: string): boolean {
  const head = readHead(abs);
  return head !== undefined && looksBinary(head);
}
