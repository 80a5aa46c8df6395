"""The wiring of Dauys: the app factory, the command line, the scheduler, the demo data and Piccolo's apps."""
