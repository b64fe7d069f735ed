module ameide.io/services/threads

go 1.19
