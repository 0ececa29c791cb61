"""The embedded demo country: a synthetic but realistic Netherlands."""
