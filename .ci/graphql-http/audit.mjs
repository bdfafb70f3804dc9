import { auditServer } from 'graphql-http';
const url = process.argv[2];
const results = await auditServer({ url });
let must = [0, 0], should = [0, 0], may = [0, 0];
for (const r of results) {
  const bucket = r.name.startsWith('MUST') ? must : r.name.startsWith('SHOULD') ? should : may;
  bucket[1]++;
  if (r.status === 'ok') bucket[0]++;
  else console.log(`${r.status.toUpperCase()}: ${r.name}${r.reason ? ' — ' + r.reason : ''}`);
}
console.log(JSON.stringify({ must: `${must[0]}/${must[1]}`, should: `${should[0]}/${should[1]}`, may: `${may[0]}/${may[1]}` }));
process.exit(must[0] === must[1] ? 0 : 1);
