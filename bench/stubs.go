package bench

import (
	"context"
	"errors"
	"flag"
)

func chaosFlags(fs *flag.FlagSet) func(context.Context, Config) (Result, error) { return todo }
func todo(context.Context, Config) (Result, error)                              { return nil, errors.New("todo") }
