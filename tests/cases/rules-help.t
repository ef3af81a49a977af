%name
rules-help
%args
rules --help
%stdout-contains
usage: blackbar rules list|test|lint [OPTIONS] [PACK...]
-r, --rules PATH
--no-default-rules
--strict
-h, --help
%exit
0
