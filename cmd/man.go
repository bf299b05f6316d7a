package cmd

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newCmdMan is the hidden `man` command: the release hook runs it to build
// the man pages that the archives and the deb/rpm packages ship. Hidden
// because users read the pages, they do not make them.
func newCmdMan(root *cobra.Command, info BuildInfo) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "man --dir DIR",
		Short: "Write ivrctl's man pages (section 1) into a directory",
		Long: `Write one man page per command (ivrctl.1, ivrctl-validate.1, ...) into DIR.

The page date is SOURCE_DATE_EPOCH when set, else the build's commit date,
else today, so a release build writes the same bytes every time.`,
		Example: `  $ ivrctl man --dir man/
  $ man ./man/ivrctl.1`,
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("man: creating %s: %w", dir, err)
			}
			header := &doc.GenManHeader{
				Section: "1",
				Source:  "ivrctl " + info.Version,
				Manual:  "ivrctl manual",
				Date:    manDate(info.Date),
			}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return fmt.Errorf("man: writing pages to %s: %w", dir, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory to write the pages to (created if missing)")
	_ = cmd.MarkFlagRequired("dir")
	_ = cmd.MarkFlagDirname("dir")
	return cmd
}

// manDate is the stamped commit date when there is one. nil lets cobra use
// SOURCE_DATE_EPOCH, and only then the current time.
func manDate(stamped string) *time.Time {
	if os.Getenv("SOURCE_DATE_EPOCH") != "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, stamped)
	if err != nil {
		return nil
	}
	return &t
}
