/** Where generated files are staged, relative to the project directory (as upstream). */
export const buildDirName = '.cog/build';

/**
 * The predictor's OpenAPI schema, relative to the project: copied with the code to
 * /src/.cog/openapi_schema.json, where the runtime reads it (and visible there when run/serve mount
 * the project instead).
 */
export const schemaFileName = '.cog/openapi_schema.json';

/** uv version installed into images; pinned so a build today equals a build tomorrow. */
export const uvVersion = '0.9.26';

/** Everything the engine needs to build one image: pure data, no I/O done yet. */
export interface BuildPlan {
  /** The FROM image. */
  baseImage: string;
  /** Dockerfile text. */
  dockerfile: string;
  /**
   * Generated files, by name inside the staging directory (`.cog/build/`). The Dockerfile refers
   * to them as `.cog/build/<name>` from the project context.
   */
  files: Record<string, string>;
  /**
   * The Dockerfile-specific ignore file (`Dockerfile.dockerignore`, read by BuildKit in place of the
   * project's .dockerignore): the user's patterns plus ours.
   */
  dockerignore: string;
  warnings: string[];
}
