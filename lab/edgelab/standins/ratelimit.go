package standins

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	commonrl "github.com/envoyproxy/go-control-plane/envoy/extensions/common/ratelimit/v3"
	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/durationpb"
)

// slowDelay is how long mode "slow" waits before answering.
const slowDelay = 5 * time.Second

// rateLimiter stands in for envoyproxy/ratelimit: fixed windows per descriptor, counted from
// the start of the current unit (as the reference service does), over-limit once a window's
// count passes requestsPerUnit.
type rateLimiter struct {
	rlsv3.UnimplementedRateLimitServiceServer
	cfg  *RateLimit
	logf func(string, ...any)
	now  func() time.Time
	mu   sync.Mutex
	hits map[string]uint32 // limit index + descriptor values + window start -> count
}

func (s *Server) startRateLimit(cfg *RateLimit) error {
	ln, err := s.listen(cfg.Address)
	if err != nil {
		return fmt.Errorf("rateLimit: %w", err)
	}
	gs := grpc.NewServer()
	rlsv3.RegisterRateLimitServiceServer(gs, &rateLimiter{cfg: cfg, logf: s.logf, now: time.Now, hits: map[string]uint32{}})
	go func() { _ = gs.Serve(ln) }()
	s.onStop(func(ctx context.Context) {
		_ = ln.Close() // now, even if Serve has not started yet
		done := make(chan struct{})
		go func() { gs.GracefulStop(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			gs.Stop()
		}
	})
	return nil
}

// ShouldRateLimit answers one request: a descriptor with no matching limit is OK with no
// current limit; the overall code is OVER_LIMIT when any descriptor is. A request for another
// domain gets OK for every descriptor (the reference service has no limits for it).
func (rl *rateLimiter) ShouldRateLimit(ctx context.Context, req *rlsv3.RateLimitRequest) (*rlsv3.RateLimitResponse, error) {
	if rl.cfg.Mode == "slow" && !sleep(ctx, slowDelay) {
		return nil, ctx.Err()
	}
	addend := req.GetHitsAddend()
	if addend == 0 {
		addend = 1
	}
	resp := &rlsv3.RateLimitResponse{OverallCode: rlsv3.RateLimitResponse_OK}
	now := rl.now()
	rl.mu.Lock()
	defer rl.mu.Unlock()
	var logged []string
	for _, d := range req.GetDescriptors() {
		st := &rlsv3.RateLimitResponse_DescriptorStatus{Code: rlsv3.RateLimitResponse_OK}
		resp.Statuses = append(resp.Statuses, st)
		pairs := make([]string, 0, len(d.GetEntries()))
		for _, e := range d.GetEntries() {
			pairs = append(pairs, e.GetKey()+"="+e.GetValue())
		}
		logged = append(logged, "["+strings.Join(pairs, ",")+"]")
		if req.GetDomain() != rl.cfg.Domain {
			continue
		}
		i, l := rl.match(d.GetEntries())
		if l == nil {
			continue
		}
		unit := unitDurations[l.Unit]
		window := now.Truncate(unit)
		key := fmt.Sprintf("%d|%s|%d", i, strings.Join(pairs, "\x00"), window.UnixNano())
		rl.hits[key] += addend
		n := rl.hits[key]
		st.CurrentLimit = &rlsv3.RateLimitResponse_RateLimit{
			RequestsPerUnit: l.RequestsPerUnit,
			Unit:            rlsv3.RateLimitResponse_RateLimit_Unit(rlsv3.RateLimitResponse_RateLimit_Unit_value[strings.ToUpper(l.Unit)]),
		}
		st.DurationUntilReset = durationpb.New(window.Add(unit).Sub(now))
		if n > l.RequestsPerUnit {
			st.Code = rlsv3.RateLimitResponse_OVER_LIMIT
			resp.OverallCode = rlsv3.RateLimitResponse_OVER_LIMIT
		} else {
			st.LimitRemaining = l.RequestsPerUnit - n
		}
	}
	rl.logf("ratelimit domain=%q descriptors=%s -> %s", req.GetDomain(), strings.Join(logged, " "), resp.OverallCode)
	return resp, nil
}

// match finds the first limit whose descriptor keys equal the entries' keys in order and
// whose values are equal or empty (empty: any value, counted per value).
func (rl *rateLimiter) match(entries []*commonrl.RateLimitDescriptor_Entry) (int, *Limit) {
	for i := range rl.cfg.Limits {
		l := &rl.cfg.Limits[i]
		if len(l.Descriptors) != len(entries) {
			continue
		}
		ok := true
		for j, want := range l.Descriptors {
			got := entries[j]
			if got.GetKey() != want.Key || (want.Value != "" && got.GetValue() != want.Value) {
				ok = false
				break
			}
		}
		if ok {
			return i, l
		}
	}
	return -1, nil
}
