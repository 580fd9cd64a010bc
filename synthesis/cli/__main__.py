from synthesis.cli import main

main()
