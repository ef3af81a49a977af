%name
scrub-op-text
%args
scrub -o text:[REDACTED]
%stdin
mail jane.doe@corp.example card 4111 1111 1111 1111
%stdout
mail [REDACTED] card [REDACTED]
%exit
0
