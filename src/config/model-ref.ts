import type { Problem } from './report.js';

/**
 * `model:` names a repository: `[registry[:port]/]path`, lower case, no tag, no digest (spec
 * cog-yaml.md §3.2 row 15). The grammar is the distribution reference grammar.
 */
const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const domain = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?)';
const repository = `(?:${domain}/)?${component}(?:/${component})*`;
const repositoryPattern = new RegExp(`^${repository}$`);
const taggedOrDigestedPattern = new RegExp(`^${repository}(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`);
const maxRepositoryLength = 255;

/** What is wrong with `model:`, or undefined when it is a bare repository. */
export function modelRepositoryProblem(model: string): Problem | undefined {
  if (repositoryPattern.test(model)) {
    return model.length > maxRepositoryLength ? { message: `invalid repository: longer than ${maxRepositoryLength} characters` } : undefined;
  }
  if (taggedOrDigestedPattern.test(model)) {
    const bare = model.replace(/@.*$/, '').replace(/:[\w][\w.-]*$/, '');
    return { message: 'must be a bare repository — tags and digests are not allowed', hint: `use "${bare}"` };
  }
  return {
    message: 'invalid repository: a repository may only hold lower-case letters, digits, and . _ - / separators, after an optional registry host',
    hint: 'e.g. "registry.example.com/acme/my-model"',
  };
}
