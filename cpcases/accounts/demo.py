"""What every demo seeder shares (make demo)."""

DEMO_PASSWORD = "Demo-pass-2026!"  # noqa: S105 - demo sign-ins are printed in the README
