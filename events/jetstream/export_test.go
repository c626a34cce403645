package jetstream

import "context"

// AskAgain is the store's askAgain.
func AskAgain(ctx context.Context, s *Store, what string, ask func(context.Context) error) error {
	return s.b.askAgain(ctx, what, ask)
}
