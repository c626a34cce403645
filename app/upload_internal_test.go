package app

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// An upload is read whole whatever size it announced; the size is
// allocated only once the first MB has come, so a client announcing 256 MB
// and sending a few bytes holds 1 MB, not 256.
func TestReadUpload(t *testing.T) {
	b, err := readUpload(strings.NewReader("section,sampled_at\n"), 256<<20)
	require.NoError(t, err)
	require.Equal(t, "section,sampled_at\n", string(b))
	require.LessOrEqual(t, cap(b), trustAfter+512)

	big := bytes.Repeat([]byte("x"), 3<<20)
	for _, announced := range []int64{0, 1 << 20, 3 << 20, 5 << 20} {
		b, err := readUpload(io.MultiReader(bytes.NewReader(big[:1000]), bytes.NewReader(big[1000:])), announced)
		require.NoError(t, err)
		require.Equal(t, big, b, "announced %d", announced)
	}
	b, err = readUpload(bytes.NewReader(big), 3<<20)
	require.NoError(t, err)
	require.Equal(t, 3<<20+512, cap(b), "the size announced, once it came")
}
