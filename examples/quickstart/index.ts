// Quickstart: the smallest complete use of the SDK. Run with `pnpm quickstart`.
import { createClient, createMemoryEngine } from '@aindusdb/core';

const client = createClient({ engine: createMemoryEngine() });

const docs = await client.createCollection('docs', { dimension: 4, metric: 'cosine' });

await docs.upsert([
  { id: 'intro', vector: [0.9, 0.1, 0, 0], metadata: { lang: 'en', section: 'guide' } },
  { id: 'setup', vector: [0.7, 0.3, 0.1, 0], metadata: { lang: 'en', section: 'ops' } },
  { id: 'einfuehrung', vector: [0.85, 0.15, 0, 0.05], metadata: { lang: 'de', section: 'guide' } },
  { id: 'api', vector: [0, 0.2, 0.9, 0.1], metadata: { lang: 'en', section: 'reference' } },
]);

const nearest = await docs.query({ vector: [1, 0, 0, 0], topK: 3 });
console.log('nearest:', nearest.matches.map((m) => `${m.id} (${m.score.toFixed(3)})`).join(', '));

const english = await docs.query({ vector: [1, 0, 0, 0], topK: 3, filter: { lang: 'en', section: { $ne: 'ops' } } });
console.log('english, not ops:', english.matches.map((m) => m.id).join(', '));

console.log('described:', await docs.describe());
await client.close();
