// The language's floor for a command-line start: a Swift program that imports Foundation, reads
// its environment through ProcessInfo (as every kyniem command does) and prints one line. Built
// by bench/run as kyniem is (release, static Swift runtime); compare.py prints it beside
// today's items, where start-up is almost all of kyniem's time.
import Foundation

let environment = ProcessInfo.processInfo.environment
print("hello from Swift with Foundation: \(environment.count) environment variables")
