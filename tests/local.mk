# tests/: Check suites and command-line tests (filled in below).
