import { REQUIRED_NODE_API_FOR_13, Sqlite } from './sqlite-driver';

describe('the SQLite driver for the running Node', () => {
  const nodeApi = Number(process.versions.napi);

  it(`is better-sqlite3 13 where Node-API ${REQUIRED_NODE_API_FOR_13} exists, else the better-sqlite3-node20 alias (12)`, () => {
    const expected = nodeApi >= REQUIRED_NODE_API_FOR_13 ? 'better-sqlite3' : 'better-sqlite3-node20';
    expect(Sqlite).toBe(require(expected));
    const { version } = require(`${expected}/package.json`) as { version: string };
    expect(version.split('.')[0]).toBe(nodeApi >= REQUIRED_NODE_API_FOR_13 ? '13' : '12');
  });

  it('opens a database and runs a statement', () => {
    const db = new Sqlite(':memory:');
    try {
      expect(db.prepare('SELECT 6 * 7 AS answer').get()).toEqual({ answer: 42 });
    } finally {
      db.close();
    }
  });
});
