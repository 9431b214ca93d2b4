/**
 * A small, safe expression language for dynamic workflow definitions: conditions (`if`), loop
 * sources (`over`) and activity inputs (`{ "$expr": ... }`) read the results of earlier steps.
 *
 * Why not `eval`/`Function`: definitions come from data (a database, an API), so they must not be
 * able to run code, reach prototypes or touch globals — and the workflow sandbox must stay
 * deterministic. This interpreter only reads own properties of plain data.
 *
 * Grammar (lowest to highest precedence):
 * ```
 * or         := and ('||' and)*
 * and        := comparison ('&&' comparison)*
 * comparison := unary (('==' | '!=' | '<' | '<=' | '>' | '>=') unary)?
 * unary      := '!' unary | primary
 * primary    := literal | path | '(' or ')'
 * literal    := number | 'string' | "string" | true | false | null
 * path       := identifier ('.' (identifier | digits))*      e.g. results.charge.amount, item.sku, results.validate.skus.0
 * ```
 * Workflow-safe: no Node APIs, no I/O.
 *
 * This module is the language's one entry point; its stages live beside it: expression-syntax.ts
 * (tree, forbidden names, errors), expression-tokenizer.ts, expression-parser.ts, expression-evaluator.ts.
 */
export {
  ExpressionEvaluationError,
  ExpressionSyntaxError,
  FORBIDDEN_NAMES,
  type ComparisonOperator,
  type Expression,
  type ExpressionNode,
  type LiteralValue,
  type LogicalOperator,
  type ParseOptions,
} from './expression-syntax';
export { parseExpression, referencedStepIds } from './expression-parser';
export { evaluateExpression, type ExpressionScope } from './expression-evaluator';
