"""HR: roles, staff, person specifications, job descriptions and suggestions, decisions."""
