/** The named context the weights come from on a builder that cannot see the engine's images. */
export const weightsContextName = 'cogpack-weights';
/** The model's stage, named so the pip-freeze stages can start from it. */
export const modelStage = 'cog-model';
/** The stage whose only file is the model's `uv pip freeze`, for the `run.cog.pip_freeze` label. */
export const pipFreezeStage = 'cog-pip-freeze';
export const pipFreezeFile = 'cog-pip-freeze.txt';

/**
 * The model's Dockerfile for a builder that is not the local engine (a BuildKit daemon elsewhere):
 * it cannot take the weights from an image built beside it, so the weights stage is built inline
 * from a named context holding only the weight files (the same COPY lines, so the same layers);
 * the model's stage gets a name, and two stages after it give its `uv pip freeze` as a file,
 * which that builder's output can hand back without a local engine to run the image in.
 * A pure function of the local Dockerfile and the weights image's (weights.ts).
 */
export function remoteDockerfile(dockerfile: string, weights: { image: string; dockerfile: string } | undefined): string {
  const lines = dockerfile.trimEnd().split('\n');
  const fromLines = lines.flatMap((line, index) => (line.startsWith('FROM ') ? [index] : []));
  const model = fromLines.at(-1);
  if (model === undefined || / AS /i.test(lines[model]!)) throw new Error('the model Dockerfile has no unnamed final FROM to build from');
  lines[model] = `${lines[model]} AS ${modelStage}`;
  if (weights) {
    const index = lines.indexOf(`FROM ${weights.image} AS weights`);
    if (index < 0) throw new Error(`the model Dockerfile does not take its weights from ${weights.image}`);
    const inline = weights.dockerfile
      .trimEnd()
      .split('\n')
      .map((line) => (line === 'FROM scratch' ? 'FROM scratch AS weights' : line.replace(/^COPY /, `COPY --from=${weightsContextName} `)));
    lines.splice(index, 1, ...inline);
  }
  lines.push(
    `FROM ${modelStage} AS ${pipFreezeStage}-run`,
    `RUN uv pip freeze > /${pipFreezeFile}`,
    `FROM scratch AS ${pipFreezeStage}`,
    `COPY --from=${pipFreezeStage}-run /${pipFreezeFile} /`,
  );
  return `${lines.join('\n')}\n`;
}
