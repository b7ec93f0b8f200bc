from retirelink.cli import main

main()
