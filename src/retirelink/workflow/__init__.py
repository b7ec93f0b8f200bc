"""The retirement "one thing" (退休一件事): pre-review of everyone nearing retirement, and
(to come) the application, its parallel tasks and the maker-checker decision."""
