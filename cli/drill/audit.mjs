// After the drill: every write a client was told succeeded must exist exactly once on the side that
// owns the data at the end (the services, at stage complete), with the effect the client was told.
import { createHash } from 'node:crypto';
import knex from 'knex';

const minor = (major) => {
  const [whole, fraction = ''] = String(major).split('.');
  return BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
};

function open(url) {
  return knex({ client: 'mysql2', connection: { uri: url, supportBigNumbers: true, bigNumberStrings: true }, pool: { min: 0, max: 2 } });
}

/** Returns { counts, violations }: violations are findings, each a short sentence. */
export async function auditDatabases(urls, ledger) {
  const violations = [];
  const auth = open(urls.auth);
  const payments = open(urls.payments);
  const monolith = open(urls.monolith);
  try {
    // Users: each acknowledged registration is one user, on the auth service and the monolith.
    const userIds = [...ledger.acknowledged.users.keys()];
    const users = await auth('users').whereIn('id', userIds).select('id', 'email');
    const byId = new Map(users.map((u) => [u.id, u]));
    for (const [id, { email }] of ledger.acknowledged.users) {
      const user = byId.get(id);
      if (!user) violations.push(`user ${id} (${email}) was acknowledged but is not in the auth service's database`);
      else if (user.email !== email) violations.push(`user ${id} has email ${user.email}, acknowledged ${email}`);
    }
    const duplicateEmails = await auth('users').where('email', 'like', 'drill-%').groupBy('email').havingRaw('count(*) > 1').select('email');
    for (const row of duplicateEmails) violations.push(`email ${row.email} belongs to several users`);

    // Payments: one row per intent (the description), the amount, capture and refunds acknowledged.
    for (const [side, db] of [['payments service', payments], ['monolith', monolith]]) {
      const duplicates = await db('payments').where('description', 'like', 'drill-%').groupBy('description').havingRaw('count(*) > 1').select('description', db.raw('count(*) as n'));
      for (const row of duplicates) violations.push(`${side}: ${row.n} payments for one intent (${row.description}): a write was applied twice`);
    }
    const acknowledged = [...ledger.acknowledged.payments.entries()];
    const rows = new Map();
    for (let i = 0; i < acknowledged.length; i += 500) {
      const ids = acknowledged.slice(i, i + 500).map(([id]) => id);
      for (const row of await payments('payments').whereIn('id', ids).select('id', 'user_id', 'amount_minor', 'captured_minor', 'refunded_minor', 'status', 'description')) rows.set(row.id, row);
    }
    const refundRows = new Map();
    for (let i = 0; i < acknowledged.length; i += 500) {
      const ids = acknowledged.slice(i, i + 500).map(([id]) => id);
      for (const row of await payments('refunds').whereIn('payment_id', ids).select('payment_id', 'amount_minor')) {
        refundRows.set(row.payment_id, [...(refundRows.get(row.payment_id) ?? []), BigInt(row.amount_minor)]);
      }
    }
    let refundsChecked = 0;
    for (const [id, expected] of acknowledged) {
      const row = rows.get(id);
      if (!row) {
        violations.push(`payment ${id} (${expected.description}) was acknowledged but is not in the payments service's database`);
        continue;
      }
      const amount = minor(expected.amount);
      if (BigInt(row.amount_minor) !== amount) violations.push(`payment ${id}: amount ${row.amount_minor} minor, acknowledged ${expected.amount}`);
      if (row.user_id !== expected.userId) violations.push(`payment ${id}: belongs to ${row.user_id}, acknowledged for ${expected.userId}`);
      if (expected.captured && BigInt(row.captured_minor) !== amount) violations.push(`payment ${id}: captured ${row.captured_minor} minor, acknowledged a full capture of ${expected.amount}`);
      const refunded = expected.refunds.reduce((sum, r) => sum + minor(r), 0n);
      const stored = refundRows.get(id) ?? [];
      refundsChecked += expected.refunds.length;
      if (BigInt(row.refunded_minor) !== refunded || stored.length !== expected.refunds.length) {
        violations.push(`payment ${id}: ${stored.length} refund row(s), refunded ${row.refunded_minor} minor; acknowledged ${expected.refunds.length} refund(s) of ${refunded} minor`);
      }
    }

    // Orders stay in the monolith; each paid one points at one payment the service has.
    const orderIds = ledger.acknowledged.orders.map((o) => o.orderId);
    const orders = new Map((await monolith('orders').whereIn('id', orderIds.length ? orderIds : ['-']).select('id', 'status', 'payment_id')).map((o) => [o.id, o]));
    const orderPayments = new Map(
      (await payments('payments').whereIn('id', ledger.acknowledged.orders.map((o) => o.paymentId).concat('-')).select('id', 'order_id', 'captured_minor')).map((p) => [p.id, p]),
    );
    for (const order of ledger.acknowledged.orders) {
      const row = orders.get(order.orderId);
      if (!row) violations.push(`order ${order.orderId} was acknowledged as paid but is not in the monolith`);
      else if (row.payment_id !== order.paymentId) violations.push(`order ${order.orderId}: payment ${row.payment_id}, acknowledged ${order.paymentId}`);
      const payment = orderPayments.get(order.paymentId);
      if (!payment) violations.push(`order ${order.orderId}: its payment ${order.paymentId} is not in the payments service's database`);
      else if (payment.order_id !== order.orderId) violations.push(`payment ${order.paymentId}: order ${payment.order_id}, acknowledged for ${order.orderId}`);
    }
    const paymentsPerOrder = await payments('payments').whereIn('order_id', orderIds.length ? orderIds : ['-']).groupBy('order_id').havingRaw('count(*) > 1').select('order_id');
    for (const row of paymentsPerOrder) violations.push(`order ${row.order_id} was paid more than once`);

    // Logouts: a client told its token is logged out (204, or 401 on the retry of a logout whose first
    // answer was lost) must find the session ended on both sides, not only refused by one process's cache.
    const hashes = ledger.loggedOut.map((token) => createHash('sha256').update(token, 'utf8').digest('hex'));
    for (const [side, db] of [['auth service', auth], ['monolith', monolith]]) {
      for (let i = 0; i < hashes.length; i += 500) {
        const live = await db('sessions').whereIn('token_hash', hashes.slice(i, i + 500)).whereNull('revoked_at').select('token_hash');
        for (const row of live) violations.push(`${side}: a session its client was told is logged out is still active (token hash ${row.token_hash.slice(0, 12)}…)`);
      }
    }

    return {
      counts: {
        users: userIds.length,
        payments: acknowledged.length,
        captures: acknowledged.filter(([, p]) => p.captured).length,
        refunds: refundsChecked,
        orders: ledger.acknowledged.orders.length,
        logouts: hashes.length,
      },
      violations,
    };
  } finally {
    await Promise.all([auth.destroy(), payments.destroy(), monolith.destroy()]);
  }
}
