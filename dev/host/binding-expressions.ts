import { randomUUID } from 'node:crypto';

/** Values `{name}`-style expressions can refer to: the trigger's binding data. */
export type BindingData = Record<string, unknown>;

/**
 * Resolves `%SETTING%` app-setting references (as the host does for every binding property)
 * and `{expr}` binding expressions: trigger binding data, `{rand-guid}` and `{DateTime}`.
 */
export function resolveBindingExpression(template: string, data: BindingData = {}, env = process.env): string {
  const withSettings = resolveAppSettings(template, env);
  return withSettings.replace(/\{([^{}]+)\}/g, (whole, expression: string) => {
    if (expression === 'rand-guid') return randomUUID();
    if (expression === 'DateTime') return new Date().toISOString();
    const key = Object.keys(data).find((k) => k.toLowerCase() === expression.toLowerCase());
    if (key === undefined) throw new Error(`No value for binding expression ${whole} in "${template}".`);
    return String(data[key]);
  });
}

export function resolveAppSettings(value: string, env = process.env): string {
  return value.replace(/%([^%]+)%/g, (_whole, name: string) => {
    const setting = env[name];
    if (setting === undefined) throw new Error(`The app setting "${name}" referenced as %${name}% is not set.`);
    return setting;
  });
}
