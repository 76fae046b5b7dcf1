// weapp keeps WeChat's own title bar and page frame: nothing to add. H5 builds resolve `./h5-frame` to h5-frame.h5.ts.
export {};
