%name
scrub-same-value-same-placeholder
%args
scrub
%stdin
from jane.doe@corp.example
cc   jane.doe@corp.example, jane.doe@corp.example
%stdout
from <EMAIL_1>
cc   <EMAIL_1>, <EMAIL_1>
%exit
0
