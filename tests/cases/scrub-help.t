%name
scrub-help
%args
scrub --help
%stdout-contains
usage: blackbar scrub [OPTIONS] [FILE...]
-r, --rules PATH
--no-default-rules
--strict
-o, --operator SPEC
--key-file FILE
--format FORMAT
--stats
-h, --help
%exit
0
