package translate

import (
	"fmt"
	"os"
)

// failure is how the fake discovery server's fatal errors leave it (recovered in discover).
type failure string

// failer is the test.Failer Istio's fake discovery server reports to, outside `go test`.
type failer struct{ cleanups []func() }

func (f *failer) Fail()                          { panic(failure("failed")) }
func (f *failer) FailNow()                       { panic(failure("failed")) }
func (f *failer) Fatal(args ...any)              { panic(failure(fmt.Sprint(args...))) }
func (f *failer) Fatalf(format string, a ...any) { panic(failure(fmt.Sprintf(format, a...))) }
func (f *failer) Log(args ...any)                {}
func (f *failer) Logf(format string, a ...any)   {}
func (f *failer) Helper()                        {}
func (f *failer) Skip(args ...any)               { panic(failure(fmt.Sprint(args...))) }
func (f *failer) Cleanup(fn func())              { f.cleanups = append(f.cleanups, fn) }
func (f *failer) TempDir() string {
	d, err := os.MkdirTemp("", "edgelab-")
	if err != nil {
		panic(failure(err.Error()))
	}
	f.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}

func (f *failer) cleanup() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}
