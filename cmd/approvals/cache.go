package main

import (
	"go.temporal.io/sdk/worker"
)

// defaultWorkflowCache is the default size of the worker's sticky workflow
// cache (the SDK's own default is 10,000). A cached procedure costs about
// 150 KiB of worker RSS (its workflow state, its goroutines, the SDK's copy
// of its history and the garbage collector's headroom over them; measured
// with bench scale, README Sizing): with 2,000 the worker stood at 300–350
// MiB beyond 2,000 open procedures, over issue 17's 300 MB, so 1,000 keep
// it near 200 MiB whatever the number of open procedures; a procedure
// outside the cache is replayed from its history (a few dozen events) at
// its next task.
const defaultWorkflowCache = 1000

// sizeWorkflowCache sets the process's sticky workflow cache from
// APPROVALS_WORKER_WORKFLOW_CACHE (default defaultWorkflowCache); it must
// run before the first worker is created.
func sizeWorkflowCache() (int, error) {
	n, err := positive("APPROVALS_WORKER_WORKFLOW_CACHE", defaultWorkflowCache, 1_000_000)
	if err != nil {
		return 0, err
	}
	worker.SetStickyWorkflowCacheSize(n)
	return n, nil
}
