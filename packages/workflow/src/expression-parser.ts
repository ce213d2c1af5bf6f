import type { JsonValue } from '@quanta/model';
import { type Token, tokenize } from './expression-lexer.ts';
import { workflowError } from './workflow-error.ts';

/** A binary operator of the expression language. */
export type BinaryOperator =
  | 'or'
  | 'and'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | '+'
  | '-'
  | '*'
  | '/'
  | '//'
  | '%';

/** The syntax tree of a `${...}` expression. `at` is the 0-based offset of the node's first token. */
export type Expression =
  | { readonly kind: 'literal'; readonly value: JsonValue; readonly at: number }
  | { readonly kind: 'variable'; readonly name: string; readonly at: number }
  | { readonly kind: 'member'; readonly object: Expression; readonly name: string; readonly at: number }
  | { readonly kind: 'index'; readonly object: Expression; readonly index: Expression; readonly at: number }
  | {
      readonly kind: 'call';
      readonly callee: string;
      readonly args: readonly Expression[];
      readonly at: number;
    }
  | {
      readonly kind: 'unary';
      readonly operator: '-' | 'not';
      readonly operand: Expression;
      readonly at: number;
    }
  | {
      readonly kind: 'binary';
      readonly operator: BinaryOperator;
      readonly left: Expression;
      readonly right: Expression;
      readonly at: number;
    }
  | { readonly kind: 'list'; readonly items: readonly Expression[]; readonly at: number }
  | {
      readonly kind: 'map';
      readonly entries: readonly (readonly [Expression, Expression])[];
      readonly at: number;
    };

/**
 * Binding powers, from Cloud Workflows' documented order of operations (descending):
 * `()`, `.`, `[]`, `not`, unary `-`, `* / // %`, `+ -`, comparisons and `in`, `and`, `or`.
 */
const INFIX_POWER: Readonly<Record<string, number>> = {
  or: 1,
  and: 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  in: 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '//': 5,
  '%': 5,
};
const UNARY_MINUS_POWER = 6;
const NOT_POWER = 7;
const KEYWORDS: Readonly<Record<string, string>> = { AND: 'and', OR: 'or', NOT: 'not' };
const LITERALS: Readonly<Record<string, JsonValue>> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
  null: null,
};

/** Parses the text inside `${...}`. Syntax errors are `ValueError` maps with the column. */
export function parseExpression(text: string): Expression {
  const parser = new ExpressionParser(tokenize(text));
  const expression = parser.parse(0);
  parser.expectEnd();
  return expression;
}

class ExpressionParser {
  readonly #tokens: readonly Token[];
  #position = 0;

  constructor(tokens: readonly Token[]) {
    this.#tokens = tokens;
  }

  parse(minimumPower: number): Expression {
    let left = this.#prefix();
    for (;;) {
      const token = this.#peek();
      const operator = infixOperator(token);
      if (operator === undefined) {
        const postfix = this.#postfix(left, token);
        if (!postfix) return left;
        left = postfix;
        continue;
      }
      const power = INFIX_POWER[operator] ?? 0;
      if (power <= minimumPower) return left;
      this.#position += 1;
      const right = this.parse(power);
      left = { kind: 'binary', operator: operator as BinaryOperator, left, right, at: left.at };
    }
  }

  expectEnd(): void {
    const token = this.#peek();
    if (token.kind !== 'end') throw syntaxError(token, 'unexpected');
  }

  #prefix(): Expression {
    const token = this.#next();
    switch (token.kind) {
      case 'number':
        return { kind: 'literal', value: token.value, at: token.at };
      case 'string':
        return { kind: 'literal', value: token.value, at: token.at };
      case 'name':
        return this.#prefixName(token);
      case 'operator':
        return this.#prefixOperator(token);
      case 'end':
        throw syntaxError(token, 'the expression ends early:');
    }
  }

  #prefixName(token: Token & { kind: 'name' }): Expression {
    if (token.value in LITERALS)
      return { kind: 'literal', value: LITERALS[token.value] ?? null, at: token.at };
    if ((KEYWORDS[token.value] ?? token.value) === 'not') {
      return { kind: 'unary', operator: 'not', operand: this.parse(NOT_POWER), at: token.at };
    }
    return { kind: 'variable', name: token.value, at: token.at };
  }

  #prefixOperator(token: Token & { kind: 'operator' }): Expression {
    switch (token.value) {
      case '-':
        return { kind: 'unary', operator: '-', operand: this.parse(UNARY_MINUS_POWER), at: token.at };
      case '(': {
        const inner = this.parse(0);
        this.#expect(')');
        return inner;
      }
      case '[':
        return { kind: 'list', items: this.#list(']'), at: token.at };
      case '{':
        return { kind: 'map', entries: this.#mapEntries(), at: token.at };
      default:
        throw syntaxError(token, 'unexpected');
    }
  }

  #postfix(left: Expression, token: Token): Expression | undefined {
    if (token.kind !== 'operator') return undefined;
    switch (token.value) {
      case '.': {
        this.#position += 1;
        const name = this.#next();
        if (name.kind !== 'name') throw syntaxError(name, 'expected a name after `.`, got');
        return { kind: 'member', object: left, name: name.value, at: left.at };
      }
      case '[': {
        this.#position += 1;
        const index = this.parse(0);
        this.#expect(']');
        return { kind: 'index', object: left, index, at: left.at };
      }
      case '(': {
        const callee = calleeName(left);
        if (callee === undefined) throw syntaxError(token, 'only named functions can be called:');
        this.#position += 1;
        return { kind: 'call', callee, args: this.#list(')'), at: left.at };
      }
      default:
        return undefined;
    }
  }

  #list(close: string): Expression[] {
    const items: Expression[] = [];
    if (this.#isOperator(close)) {
      this.#position += 1;
      return items;
    }
    for (;;) {
      items.push(this.parse(0));
      if (this.#isOperator(',')) {
        this.#position += 1;
        continue;
      }
      this.#expect(close);
      return items;
    }
  }

  #mapEntries(): [Expression, Expression][] {
    const entries: [Expression, Expression][] = [];
    if (this.#isOperator('}')) {
      this.#position += 1;
      return entries;
    }
    for (;;) {
      const key = this.parse(0);
      this.#expect(':');
      entries.push([key, this.parse(0)]);
      if (this.#isOperator(',')) {
        this.#position += 1;
        continue;
      }
      this.#expect('}');
      return entries;
    }
  }

  #expect(operator: string): void {
    const token = this.#next();
    if (token.kind !== 'operator' || token.value !== operator) {
      throw syntaxError(token, `expected \`${operator}\`, got`);
    }
  }

  #isOperator(operator: string): boolean {
    const token = this.#peek();
    return token.kind === 'operator' && token.value === operator;
  }

  #peek(): Token {
    return this.#tokens[this.#position] ?? { kind: 'end', at: 0 };
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#position += 1;
    return token;
  }
}

function infixOperator(token: Token): string | undefined {
  if (token.kind === 'operator') return token.value in INFIX_POWER ? token.value : undefined;
  if (token.kind !== 'name') return undefined;
  const keyword = KEYWORDS[token.value] ?? token.value;
  return keyword === 'and' || keyword === 'or' || keyword === 'in' ? keyword : undefined;
}

/** `f`, `text.split`, `sys.get_env`: a call's callee is a dotted name. */
function calleeName(expression: Expression): string | undefined {
  if (expression.kind === 'variable') return expression.name;
  if (expression.kind !== 'member') return undefined;
  const object = calleeName(expression.object);
  return object === undefined ? undefined : `${object}.${expression.name}`;
}

function syntaxError(token: Token, what: string): Error {
  const text = token.kind === 'end' ? 'the end of the expression' : `'${String(token.value)}'`;
  return workflowError('ValueError', `syntax error: ${what} ${text}`, token.at + 1);
}
