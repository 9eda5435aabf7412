import type { SyntaxNode } from './grammar.js';
import { parseStringNode } from './literals.js';
import type { Annotation } from './types.js';

/** Parses the text of a string annotation (`"Output"`, a forward reference) into an expression node. */
export type ExpressionParser = (text: string) => SyntaxNode | undefined;

/**
 * Reads an annotation node (`type`, or any expression inside one) into an Annotation. Handles the
 * spellings tree-sitter produces for the same thing: `list[str]` is a generic_type, `t.List[str]`
 * a subscript, `str | None` a binary_operator (`list[str] | None` a union_type), and `"Output"` a
 * string holding a forward reference.
 */
export function readAnnotation(node: SyntaxNode, parseExpression: ExpressionParser, depth = 0): Annotation {
  const line = node.startPosition.row + 1;
  const text = node.text;
  switch (node.type) {
    case 'type':
    case 'parenthesized_expression': {
      const inner = node.namedChildren.find((child) => child.type !== 'comment');
      return inner ? { ...readAnnotation(inner, parseExpression, depth), text, line } : { kind: 'other', text, line };
    }
    case 'identifier':
    case 'attribute':
      return { kind: 'name', name: text.replaceAll(/\s/g, ''), text, line };
    case 'none':
      return { kind: 'none', text, line };
    case 'generic_type': {
      const [name, parameters] = node.namedChildren;
      if (!name || parameters?.type !== 'type_parameter') return { kind: 'other', text, line };
      const args = parameters.namedChildren.filter((child) => child.type !== 'comment').map((child) => readAnnotation(child, parseExpression, depth));
      return { kind: 'generic', name: name.text.replaceAll(/\s/g, ''), args, text, line };
    }
    case 'subscript': {
      const value = node.childForFieldName('value');
      if (!value || (value.type !== 'identifier' && value.type !== 'attribute')) return { kind: 'other', text, line };
      const args = node.childrenForFieldName('subscript').map((child) => readAnnotation(child, parseExpression, depth));
      // `X[a, b]` may also arrive as one tuple subscript.
      const flat = args.length === 1 && node.childrenForFieldName('subscript')[0]?.type === 'tuple' ? readTuple(node.childrenForFieldName('subscript')[0]!, parseExpression, depth) : args;
      return { kind: 'generic', name: value.text.replaceAll(/\s/g, ''), args: flat, text, line };
    }
    case 'binary_operator': {
      if (node.childForFieldName('operator')?.text !== '|') return { kind: 'other', text, line };
      return unionOf([node.childForFieldName('left'), node.childForFieldName('right')], parseExpression, depth, text, line);
    }
    // `list[int] | None`: with a generic on either side, tree-sitter reads a union_type, not a
    // binary_operator.
    case 'union_type':
      return unionOf(node.namedChildren.filter((child) => child.type !== 'comment'), parseExpression, depth, text, line);
    case 'string': {
      // A forward reference: the string's content is itself an annotation. Depth-limited so a
      // pathological `"'...'"` cannot recurse forever.
      const value = parseStringNode(node);
      const expression = value?.kind === 'str' && depth < 4 ? parseExpression(value.value) : undefined;
      if (!expression) return { kind: 'other', text, line };
      return { ...relocate(readAnnotation(expression, parseExpression, depth + 1), line), text };
    }
    default:
      return { kind: 'other', text, line };
  }
}

/** The members of `A | B | …`, nested unions flattened. */
function unionOf(sides: Array<SyntaxNode | null | undefined>, parseExpression: ExpressionParser, depth: number, text: string, line: number): Annotation {
  const members: Annotation[] = [];
  for (const side of sides) {
    if (!side) return { kind: 'other', text, line };
    const member = readAnnotation(side, parseExpression, depth);
    if (member.kind === 'union') members.push(...member.members);
    else members.push(member);
  }
  return { kind: 'union', members, text, line };
}

function readTuple(node: SyntaxNode, parseExpression: ExpressionParser, depth: number): Annotation[] {
  return node.namedChildren.filter((child) => child.type !== 'comment').map((child) => readAnnotation(child, parseExpression, depth));
}

/** Annotations read from a forward reference's text report the line of the string itself. */
function relocate(annotation: Annotation, line: number): Annotation {
  switch (annotation.kind) {
    case 'generic':
      return { ...annotation, line, args: annotation.args.map((arg) => relocate(arg, line)) };
    case 'union':
      return { ...annotation, line, members: annotation.members.map((member) => relocate(member, line)) };
    default:
      return { ...annotation, line };
  }
}
