import type { Session } from './one-connection';

interface OpenTransactionRow {
  id: number;
  user: string | null;
  host: string | null;
  age: number;
  changed: number;
  command: string | null;
  info: string | null;
}

/**
 * MariaDB/MySQL: the open transactions of this database that changed rows, oldest first, for a message
 * ("connection 42 (app@10.0.0.5:51234, transaction open 7 s, 2 row(s) changed, idle)"). Read from
 * information_schema.innodb_trx, which needs the PROCESS privilege: without it, says so.
 */
export async function describeOpenTransactions(run: Session): Promise<string> {
  try {
    const [rows] = (await run(
      `select t.trx_mysql_thread_id as id, p.user, p.host, timestampdiff(second, t.trx_started, now()) as age, t.trx_rows_modified as changed, p.command, p.info
       from information_schema.innodb_trx t left join information_schema.processlist p on p.id = t.trx_mysql_thread_id
       where t.trx_mysql_thread_id <> connection_id() and t.trx_rows_modified > 0 and (p.db is null or p.db = database())
       order by t.trx_started limit 5`,
    )) as [OpenTransactionRow[]];
    if (!rows.length) return 'no open transaction with changes is visible to this user (naming it needs the PROCESS privilege)';
    return rows.map((r) => `connection ${r.id} (${r.user ?? '?'}@${r.host ?? '?'}, transaction open ${r.age} s, ${r.changed} row(s) changed, ${r.command === 'Sleep' ? 'idle' : `running ${String(r.info ?? r.command).slice(0, 80)}`})`).join(', ');
  } catch (error) {
    return `which one is not visible: ${(error as Error).message}`;
  }
}
