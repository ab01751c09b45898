"""One module per kvnet command; each turns arguments into core calls and an exit code."""
