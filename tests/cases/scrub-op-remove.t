%name
scrub-op-remove
%args
scrub -o remove
%stdin
mail [jane.doe@corp.example] card [4111 1111 1111 1111]
%stdout
mail [] card []
%exit
0
