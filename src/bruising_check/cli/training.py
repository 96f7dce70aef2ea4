"""For trainers: show (flowcharts, handbook), test (scenarios), demo and quiz (issue 6)."""
