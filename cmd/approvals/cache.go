package main

import (
	"go.temporal.io/sdk/worker"
)

// defaultWorkflowCache is the default size of the worker's sticky workflow
// cache (the SDK's own default is 10,000). A cached procedure costs about
// 67 KiB of worker memory (its workflow state, its goroutines and the SDK's
// copy of its history; README, Sizing), so 2,000 bound the cache to about
// 120 MiB whatever the number of open procedures; a procedure outside it is
// replayed from its history (a few dozen events) at its next task.
const defaultWorkflowCache = 2000

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
