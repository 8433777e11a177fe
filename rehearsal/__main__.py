from rehearsal.cli import main

main()
