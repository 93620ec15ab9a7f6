/** One file of a registered version, as hashed when it was copied into the registry. */
export interface ManifestFile {
  name: string;
  sha256: string;
  bytes: number;
}

/**
 * manifest.json of a registered version: what the version is, written once when it is registered and never
 * changed (a version is immutable). `content_sha256` identifies the content as a whole: the SHA-256 over the
 * sorted file names and their hashes, so two registrations of the same files compare equal.
 */
export interface ModelManifest {
  version: string;
  model_name: string;
  files: ManifestFile[];
  content_sha256: string;
  labels: string[];
  max_length: number;
  outputs: string[];
  /** Where it came from: the imported directory, or `MODEL_DIR` at startup. Only shown to admin callers. */
  source: string;
  registered_at: string;
  notes?: string;
}

/** The manifest's file name inside a version directory; a directory without it is not (yet) a version. */
export const MANIFEST_FILE = 'manifest.json';
