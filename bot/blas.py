"""Keep NumPy's BLAS to one thread per call in a process that answers requests from many threads.

Requests already run in parallel threads (the API's thread pool). OpenBLAS would add its own
threads to every matrix product on top of that, and with more requesting threads than cores its
workers wait on each other: measured in process on two cores, 32 threads answering cached questions
managed 37 answers a second with OpenBLAS's default threads and 880 with one. The products a
request computes (one query vector against at most a few thousand unit vectors) are too small to
gain from splitting, so one thread costs a single question nothing (2,077 against 2,090 a second).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def limit_blas_threads(threads: int) -> list[dict[str, object]]:
    """Set every loaded BLAS library (OpenBLAS, MKL, BLIS) to ``threads`` threads, for the whole process.

    Returns what was found, for the log; an empty list where NumPy uses no threaded BLAS.
    """
    from threadpoolctl import threadpool_info, threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")  # not a context: the limit stays set
    pools = [{"library": p.get("internal_api"), "threads": p.get("num_threads")}
             for p in threadpool_info() if p.get("user_api") == "blas"]
    logger.debug("blas threads limited", extra={"pools": pools})
    return pools
