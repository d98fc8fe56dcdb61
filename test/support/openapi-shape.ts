// Issue 14.5: does an answer fit the schema its route declares in the OpenAPI document? A small
// checker for the subset the DTOs use ($ref, allOf, type, nullable, enum, required, properties,
// items, additionalProperties); keys a schema does not declare count as mismatches, so a DTO that
// leaves out a field the route returns is caught, not only one that claims too much. A property
// declared `allOf: [$ref], additionalProperties: true` is open: free-form JSON (an outbox row's
// payload) of which the referenced schema names the fields the micro-app reads.
type Schema = Record<string, any>;

export function responseSchema(doc: Schema, method: string, path: string): Schema {
  const op = doc.paths?.[path]?.[method.toLowerCase()];
  const res = op?.responses?.['200'] ?? op?.responses?.['201'];
  const schema = res?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${path} declares no JSON answer`);
  return schema;
}

export function shapeErrors(doc: Schema, schema: Schema, value: unknown, at = '$', open = false): string[] {
  if (schema.$ref) return shapeErrors(doc, doc.components.schemas[schema.$ref.split('/').pop()], value, at, open);
  if (schema.allOf) {
    const nullable = schema.nullable === true;
    if (value === null) return nullable ? [] : [`${at}: null`];
    const opens = open || schema.additionalProperties === true;
    return schema.allOf.flatMap((s: Schema) => shapeErrors(doc, s, value, at, opens));
  }
  if (value === null) return schema.nullable ? [] : [`${at}: null, not nullable`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} not in the enum`];
  switch (schema.type) {
    case 'string':
      return typeof value === 'string' ? [] : [`${at}: ${typeof value}, not a string`];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: ${JSON.stringify(value)}, not an integer`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: ${typeof value}, not a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: ${typeof value}, not a boolean`];
    case 'array':
      if (!Array.isArray(value)) return [`${at}: not an array`];
      return value.flatMap((v, i) => shapeErrors(doc, schema.items ?? {}, v, `${at}[${i}]`, open));
  }
  if (schema.type === 'object' || schema.properties) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
    const v = value as Record<string, unknown>;
    const props: Schema = schema.properties ?? {};
    const errors: string[] = [];
    for (const name of schema.required ?? []) if (!(name in v)) errors.push(`${at}.${name}: missing`);
    for (const [k, x] of Object.entries(v)) {
      if (props[k]) errors.push(...shapeErrors(doc, props[k], x, `${at}.${k}`, open));
      else if (typeof schema.additionalProperties === 'object') {
        errors.push(...shapeErrors(doc, schema.additionalProperties, x, `${at}.${k}`));
      } else if (!schema.additionalProperties && !open) errors.push(`${at}.${k}: not declared`);
    }
    return errors;
  }
  return [];
}
