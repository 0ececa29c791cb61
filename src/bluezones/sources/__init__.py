"""Where data comes from: CBS StatLine, a municipality's own files, the demo country."""
