// Child process of replica-lag.test.ts: writes, and hands each write's token to the parent,
// which must read it back through a replica-aware client of its own.
import { createClient } from '@aindusdb/core';
import { createPgEngine } from '@aindusdb/pg-adapter';

const [count, schema] = [Number(process.argv[2]), process.argv[3]!];
const client = createClient({
  engine: createPgEngine({ primary: process.env.AINDUS_PG_URL!, schema }),
  cache: false,
});
const docs = client.collection('docs');
let i = 0;
const step = async () => {
  if (i >= count) {
    process.send!({ done: true });
    await client.close();
    process.disconnect();
    return;
  }
  const { token } = await docs.upsert([
    { id: `x${i % 50}`, vector: Array.from({ length: 16 }, () => i), metadata: { v: i } },
  ]);
  process.send!({ i, token });
  i++;
};
process.on(
  'message',
  () =>
    void step().catch((e) => {
      console.error(e);
      process.exit(1);
    }),
);
void step();
