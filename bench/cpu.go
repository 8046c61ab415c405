package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// clockTicks is the kernel's USER_HZ, the unit of utime and stime in
// /proc/PID/stat (100 on Linux for every architecture Go supports here).
const clockTicks = 100

// cpuSeconds is the CPU time (user + system) a process has used so far,
// from /proc/PID/stat; 0 when it cannot be read (the process is gone).
func cpuSeconds(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 { // fields 3.. : utime is field 14, stime field 15
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / clockTicks
}

// cpuSample is the CPU time of each part of a stack at one instant: the
// Temporal dev server, the worker processes, the API processes and the
// PostgreSQL backends serving the stack's connections (by process ID).
type cpuSample struct {
	temporal, worker, api float64
	postgres              map[int]float64
}

// cpu samples the stack's CPU times. PostgreSQL's backends are found by the
// stack's application_name; what a backend that ended before the second
// sample spent is not counted, so that figure is a lower bound.
func (s *stack) cpu(ctx context.Context) cpuSample {
	c := cpuSample{postgres: map[int]float64{}}
	c.temporal = cpuSeconds(s.temporal.Pid())
	for _, p := range s.workers {
		if p.cmd != nil && p.cmd.Process != nil {
			c.worker += cpuSeconds(p.cmd.Process.Pid)
		}
	}
	for _, p := range s.apis {
		if p.cmd != nil && p.cmd.Process != nil && !s.isWorker(p) {
			c.api += cpuSeconds(p.cmd.Process.Pid)
		}
	}
	if s.postgres() {
		var pids []int
		if err := s.db.WithContext(ctx).Raw("SELECT pid FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()", s.appName).
			Scan(&pids).Error; err == nil {
			for _, pid := range pids {
				c.postgres[pid] = cpuSeconds(pid)
			}
		}
	}
	return c
}

// isWorker tells whether p also runs a worker (`approvals dev` on SQLite),
// so that its CPU is counted once.
func (s *stack) isWorker(p *proc) bool {
	for _, w := range s.workers {
		if w == p {
			return true
		}
	}
	return false
}

// perOp puts into res the CPU milliseconds each part of the stack spent per
// operation between two samples, named prefix_cpu_<part>_ms.
func (c cpuSample) perOp(res Result, prefix string, after cpuSample, ops int) {
	if ops <= 0 {
		return
	}
	per := func(a, b float64) float64 { return (b - a) * 1000 / float64(ops) }
	res[prefix+"_cpu_temporal_ms"] = per(c.temporal, after.temporal)
	res[prefix+"_cpu_worker_ms"] = per(c.worker, after.worker)
	res[prefix+"_cpu_api_ms"] = per(c.api, after.api)
	var pg float64
	for pid, t := range after.postgres { // a backend opened since c counts from 0
		pg += t - c.postgres[pid]
	}
	res[prefix+"_cpu_postgres_ms"] = per(0, pg)
}
