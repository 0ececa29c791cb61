"""Validation of our expected-use models against published reference models.

:mod:`bluezones.validation.scp` compares our expected shares with the
expected shares SCP published with *Jeugdhulp in de wijk* (2020-1) for every
wijk in 2017.
"""
