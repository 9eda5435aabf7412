/**
 * MIME types ↔ file extensions for file inputs (`-i x=@photo.png` → `data:image/png;…`) and file
 * outputs (`data:image/png;…` → `output.png`). Upstream's own table (`pkg/util/mime`), then the
 * common types Go's `mime` package adds.
 */
const typeToExtension: Record<string, string> = {
  'application/epub+zip': '.epub',
  'application/gzip': '.gz',
  'application/java-archive': '.jar',
  'application/json': '.json',
  'application/jsonl': '.jsonl',
  'application/ld+json': '.jsonld',
  'application/msword': '.doc',
  'application/octet-stream': '.bin',
  'application/ogg': '.ogx',
  'application/pdf': '.pdf',
  'application/rtf': '.rtf',
  'application/vnd.ms-excel': '.xls',
  'application/vnd.ms-powerpoint': '.ppt',
  'application/vnd.oasis.opendocument.text': '.odt',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': '.pptx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/vnd.rar': '.rar',
  'application/wasm': '.wasm',
  'application/x-7z-compressed': '.7z',
  'application/x-bzip2': '.bz2',
  'application/x-ndjson': '.ndjson',
  'application/x-sh': '.sh',
  'application/x-tar': '.tar',
  'application/xml': '.xml',
  'application/zip': '.zip',
  'audio/aac': '.aac',
  'audio/flac': '.flac',
  'audio/mp4': '.m4a',
  'audio/mpeg': '.mp3',
  'audio/ogg': '.oga',
  'audio/opus': '.opus',
  'audio/wav': '.wav',
  'audio/x-wav': '.wav',
  'audio/webm': '.weba',
  'font/otf': '.otf',
  'font/ttf': '.ttf',
  'font/woff': '.woff',
  'font/woff2': '.woff2',
  'image/avif': '.avif',
  'image/bmp': '.bmp',
  'image/gif': '.gif',
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/svg+xml': '.svg',
  'image/tiff': '.tiff',
  'image/vnd.microsoft.icon': '.ico',
  'image/webp': '.webp',
  'image/x-ms-bmp': '.bmp',
  'text/calendar': '.ics',
  'text/css': '.css',
  'text/csv': '.csv',
  'text/html': '.html',
  'text/javascript': '.js',
  'text/markdown': '.md',
  'text/plain': '.txt',
  'video/3gpp': '.3gp',
  'video/mp2t': '.ts',
  'video/mp4': '.mp4',
  'video/mpeg': '.mpeg',
  'video/ogg': '.ogv',
  'video/quicktime': '.mov',
  'video/webm': '.webm',
  'video/x-msvideo': '.avi',
};

/** Extensions whose type is not the reverse of the table above (several extensions, one type). */
const extraExtensions: Record<string, string> = {
  '.jpeg': 'image/jpeg',
  '.jpe': 'image/jpeg',
  '.htm': 'text/html',
  '.mjs': 'text/javascript',
  '.tif': 'image/tiff',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.py': 'text/x-python',
  '.m4v': 'video/mp4',
};

const extensionToType: Record<string, string> = {
  ...Object.fromEntries(Object.entries(typeToExtension).map(([type, ext]) => [ext, type])),
  '.wav': 'audio/wav',
  '.bmp': 'image/bmp',
  ...extraExtensions,
};

/** The MIME type of a file name, by its extension; `application/octet-stream` when unknown. */
export function typeByExtension(fileName: string): string {
  const match = /(\.[^./\\]+)$/.exec(fileName);
  return (match && extensionToType[match[1]!.toLowerCase()]) || 'application/octet-stream';
}

/**
 * The extension for a MIME type (parameters ignored), or '' when none is known. Only ever a dot and
 * a short run of letters and digits: the type comes from the model and must never shape a path.
 */
export function extensionByType(mimeType: string): string {
  const type = mimeType.split(';')[0]!.trim().toLowerCase();
  const known = typeToExtension[type];
  if (known) return known;
  // Like Go's fallback for types outside the table (image/heic → .heic), but only for a plain subtype.
  const subtype = /^(?:image|audio|video)\/([a-z0-9]{1,10})$/.exec(type)?.[1];
  return subtype ? `.${subtype}` : '';
}
