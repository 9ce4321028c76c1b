// An honest implementation of the pid allocation gVisor uses
// (pkg/sentry/kernel/threads.go, PIDNamespace.allocateTID): start at the
// namespace's last number + 1 and probe linearly, wrapping at the maximum,
// checking three maps per candidate (tids, sids, pgids) until a free number
// is found. It stands in the benchmark as what a straightforward process table
// costs when the space is nearly full.

export class GvisorAllocator {
  constructor(max) {
    this.max = max;
    this.last = 0;
    this.tids = new Map();
    this.sids = new Map();
    this.pgids = new Map();
  }

  allocate() {
    let tid = this.last;
    for (;;) {
      tid++;
      if (tid > this.max) tid = 1;
      if (tid === this.last) throw new Error('EAGAIN');
      if (this.tids.has(tid) || this.sids.has(tid) || this.pgids.has(tid)) continue;
      break;
    }
    this.last = tid;
    this.tids.set(tid, true);
    return tid;
  }

  release(tid) {
    this.tids.delete(tid);
  }
}
