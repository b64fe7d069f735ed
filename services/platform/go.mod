module ameide.io/services/platform

go 1.19
