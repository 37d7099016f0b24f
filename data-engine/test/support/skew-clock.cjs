// Preloaded with `node --require` into one process only: shifts that process's clock (Date and
// Date.now) by CLOCK_SKEW_MS, as a host whose clock is off would. Other processes are unaffected.
'use strict';
const skew = Number(process.env.CLOCK_SKEW_MS || 0);
const RealDate = Date;
class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + skew);
    else super(...args);
  }
  static now() {
    return RealDate.now() + skew;
  }
}
globalThis.Date = SkewedDate;
