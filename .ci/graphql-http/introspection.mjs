// graphql-js's own introspection query (what GraphiQL, Apollo, gql and GraphQL Code Generator
// send) against the running server, then buildClientSchema from the answer, compared type by
// type and field by field with the checked-in SDL (schema/schema.graphql).
import { readFileSync } from 'node:fs';
import {
  buildClientSchema, buildSchema, getIntrospectionQuery, isObjectType, isInterfaceType,
  isInputObjectType, isEnumType,
} from 'graphql';

const url = process.argv[2];
const sdlPath = new URL('../../schema/schema.graphql', import.meta.url);
const query = getIntrospectionQuery({
  descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true,
  schemaDescription: true, inputValueDeprecation: true,
});
const resp = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
  body: JSON.stringify({ query, operationName: 'IntrospectionQuery' }),
});
const body = await resp.json();
if (resp.status !== 200 || body.errors) {
  console.error(`introspection refused (HTTP ${resp.status}):`, JSON.stringify(body.errors));
  process.exit(1);
}
const client = buildClientSchema(body.data);
const sdl = buildSchema(readFileSync(sdlPath, 'utf8'));

function shape(schema) {
  const out = {};
  for (const [name, t] of Object.entries(schema.getTypeMap())) {
    if (name.startsWith('__')) continue;
    let members = [];
    if (isObjectType(t) || isInterfaceType(t) || isInputObjectType(t)) {
      members = Object.values(t.getFields()).map((f) =>
        `${f.name}(${(f.args || []).map((a) => `${a.name}:${a.type}`).join(',')}):${f.type}`);
    } else if (isEnumType(t)) {
      members = t.getValues().map((v) => v.name);
    }
    out[name] = members.sort().join(' ');
  }
  return out;
}
const a = shape(client), b = shape(sdl);
const problems = [];
for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
  if (a[name] !== b[name]) problems.push(`${name}:\n  served: ${a[name]}\n  SDL:    ${b[name]}`);
}
for (const scalar of ['DateTime', 'NaiveDate']) {
  const t = client.getType(scalar);
  if (t && !t.specifiedByURL) problems.push(`scalar ${scalar} has no @specifiedBy URL`);
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`graphql-js introspection: ${Object.keys(a).length} types, client schema matches schema/schema.graphql`);
