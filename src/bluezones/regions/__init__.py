"""Region codes, herindeling crosswalks, harmonisation to a reference year, geometry."""
